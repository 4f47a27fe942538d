"""Work that is more than one statement, kept out of the routes: each function chooses
its transaction (`db.read` / `db.write`) and composes DAO calls from `app.daos` inside
it. Routes parse HTTP and set headers; a single statement they pass to the transaction
runner themselves."""
