test("load", () => {});
