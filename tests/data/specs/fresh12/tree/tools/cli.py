# stand-in for internal admin argparse CLI
