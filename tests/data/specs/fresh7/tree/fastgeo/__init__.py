# stand-in: fastgeo package, __version__
