"""Sub-commands of ``stretch-coach``; each module has ``register(subparsers, shared)``.

``shared`` is a parent parser carrying the options every library-reading
command accepts (``--library``). Handlers take the parsed namespace and return
an exit code; they raise :class:`stretch_coach.errors.UserError` for bad input.
Keep module-level imports light: heavy work is imported inside handlers.
"""
