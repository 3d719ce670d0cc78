# stand-in: tests for toolbox.cli
