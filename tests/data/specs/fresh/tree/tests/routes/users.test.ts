test("GET /v1/users returns an array", async () => {});
