# stand-in for monthly report PDF renderer
