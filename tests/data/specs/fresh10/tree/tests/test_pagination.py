# stand-in for pagination tests
