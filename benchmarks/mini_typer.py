"""The anchor of `help_vs_typer`: a minimal typer app of two commands, run with `--help`."""

import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


@app.command()
def bye(name: str = "world") -> None:
    """Say bye."""
    typer.echo(f"bye {name}")


if __name__ == "__main__":
    app()
