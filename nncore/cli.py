"""The `nncore` command: train, evaluate and run the digit recognizer; show the build."""
import argparse
import sys


def _info(args):
    import nncore
    from nncore import registry
    for key, value in nncore.info().items():
        print(f"{key:>13}: {value}")
    print("      plugins:")
    for group in registry.GROUPS:
        names = registry.list(group)
        sources = {}
        for name in names:
            sources.setdefault(registry.source(group, name), []).append(name)
        parts = [f"{dist} ({len(items)})" for dist, items in sorted(sources.items())]
        print(f"{group:>13}: {', '.join(parts) if parts else '-'}")
        for dist, items in sorted(sources.items()):
            if dist != "nncore":
                print(f"{'':>13}  {dist}: {', '.join(sorted(items))}")
    return 0


def _train(args):
    from nncore import digits
    digits.train(model_name=args.model, dataset=args.dataset, data_dir=args.data_dir,
                 epochs=args.epochs, batch_size=args.batch_size, threads=args.threads,
                 seed=args.seed, out=args.out, verbose=args.verbose)
    return 0


def _evaluate(args):
    from nncore import digits
    digits.evaluate(args.model, dataset=args.dataset, data_dir=args.data_dir)
    return 0


def _predict(args):
    from nncore import digits
    digits.predict_images(args.model, args.images)
    return 0


def _data_options(parser):
    parser.add_argument("--dataset", choices=["mnist", "fashion-mnist"], default="mnist")
    parser.add_argument("--data-dir", default=None,
                        help="folder with the four IDX files (.gz or not) or mnist.npz; "
                             "default: $NNCORE_DATA, then ~/.nncore/datasets, then a "
                             "download (MNIST falls back to the shipped 10k sample offline)")


def build_parser():
    parser = argparse.ArgumentParser(prog="nncore", description="nncore command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="version, instruction set, OpenMP, threads and plugins")

    train = sub.add_parser("train", help="train the digit recognizer and save it")
    train.add_argument("--model", choices=["mlp", "lenet", "seed"], default="mlp",
                       help="mlp: 784-256-128-10 ReLU with softmax cross-entropy; lenet: "
                            "LeNet-5 (convolutions and pooling); seed: the lectures' "
                            "784-32-10 sigmoid network with MSE")
    _data_options(train)
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--batch-size", type=int, default=None,
                       help="default: 128 for mlp, 64 for lenet, 32 for seed")
    train.add_argument("--threads", type=int, default=None,
                       help="worker threads (default: all cores)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default="nncore-run",
                       help="folder for the saved model and the training-curve plot")
    train.add_argument("--verbose", type=int, choices=[0, 1, 2], default=1,
                       help="0 silent, 1 progress bar, 2 one line per epoch")

    evaluate = sub.add_parser("evaluate", help="test accuracy of a saved model")
    evaluate.add_argument("model", help="a model file written by `nncore train`")
    _data_options(evaluate)

    predict = sub.add_parser("predict", help="classify digit images (PNG or PGM)")
    predict.add_argument("model", help="a model file written by `nncore train`")
    predict.add_argument("images", nargs="+", help="image files; any size, dark or light "
                                                   "background")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    handlers = {"info": _info, "train": _train, "evaluate": _evaluate, "predict": _predict}
    try:
        return handlers[args.command](args)
    except (FileNotFoundError, ValueError, ImportError) as error:
        print(f"nncore {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
