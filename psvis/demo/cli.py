"""``psvis demo-totp USERNAME``: the current one-time code of a demo login (demo only).

Refused outside a data directory made by ``psvis demo`` and for any login the demo did
not create (:mod:`psvis.demo.custody`): real officers read codes off their own phones.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("demo-totp")
    def demo_totp(username: str) -> None:
        """Print a demo login's current TOTP code (only in a `psvis demo` data dir)."""
        from psvis.cli.context import open_context
        from psvis.cli.main import clear_errors, load_settings
        from psvis.demo.custody import current_code
        from psvis.demo.run import DEMO_LOGINS

        @clear_errors
        def run() -> None:
            settings = load_settings()
            with open_context(settings) as ctx, ctx.session() as session:
                code, left = current_code(
                    session,
                    box=ctx.box,
                    data_dir=settings.data_dir,
                    username=username,
                    demo_usernames=frozenset(login.username for login in DEMO_LOGINS),
                )
            typer.echo(code)
            typer.echo(
                f"(demo only; valid for {left} more s, each code is accepted once)", err=True
            )

        run()
