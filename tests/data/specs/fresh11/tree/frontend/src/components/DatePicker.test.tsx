// stand-in for DatePicker vitest tests
