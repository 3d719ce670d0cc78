# stand-in for reportctl argparse CLI
