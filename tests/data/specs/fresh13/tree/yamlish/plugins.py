# stand-in for yamlish plugin loader using imp
