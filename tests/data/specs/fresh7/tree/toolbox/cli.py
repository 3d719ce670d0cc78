# stand-in: argparse CLI for toolbox
