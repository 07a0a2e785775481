"""The `nncore` command."""
import argparse
import sys


def _info(args):
    import nncore
    for key, value in nncore.info().items():
        print(f"{key:>13}: {value}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="nncore", description="nncore command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="show version, instruction set, OpenMP and thread count")
    args = parser.parse_args(argv)
    handlers = {"info": _info}
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
