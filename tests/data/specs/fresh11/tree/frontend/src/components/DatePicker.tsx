// stand-in for the DatePicker React component
