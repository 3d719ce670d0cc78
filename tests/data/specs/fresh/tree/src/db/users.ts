export async function listUsers() { return db.query("SELECT * FROM users ORDER BY id"); }
