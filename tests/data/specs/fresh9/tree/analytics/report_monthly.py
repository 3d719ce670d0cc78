# stand-in for monthly report script with main()
