package dev.icetune.store;

import dev.icetune.testing.PostgresServer;
import dev.icetune.testing.TestingPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class TestFailures
{
    @Test
    void anErrorSaysWhatEachCauseAddsWithoutClassNames()
    {
        RuntimeException wrapped = new RuntimeException(new java.sql.SQLException("Connection to 127.0.0.1:5432 refused.", new java.net.ConnectException("Connection refused")));
        // PostgreSQL's driver says it twice, in its message and its cause's: once is enough (met from outside at each failed evaluation)
        assertThat(Failures.message(wrapped)).isEqualTo("Connection to 127.0.0.1:5432 refused.");
        assertThat(Failures.message(new java.sql.SQLException("Failed to connect to /127.0.0.1:8089", new java.net.ConnectException("Connection refused"))))
                .isEqualTo("Failed to connect to /127.0.0.1:8089: Connection refused");
        assertThat(Failures.message(new IllegalStateException("cannot read rules", new RuntimeException("rules/x.drl: line 3"))))
                .isEqualTo("cannot read rules: rules/x.drl: line 3");
        assertThat(Failures.message(new NullPointerException())).isEqualTo("NullPointerException");
        assertThat(Failures.message(new java.sql.SQLException("Error executing query: java.net.ConnectException: Failed to connect to /127.0.0.1:1")))
                .isEqualTo("Error executing query: Failed to connect to /127.0.0.1:1");
    }

    @Test
    void aPasswordInAUrlTheMessageQuotesIsMasked()
    {
        assertThat(Failures.message(new RuntimeException("Failed to connect: jdbc:postgresql://db:5432/lake?user=icetune&password=s3cret",
                new java.sql.SQLException("Connection refused"))))
                .isEqualTo("Failed to connect: jdbc:postgresql://db:5432/lake?user=icetune&password=****: Connection refused");
    }

    @Test
    void aStatementADatabaseSettingRefusesSaysWhatToDoWithoutTheStatement()
    {
        // as a DBA sets them: every new session of the database gets them
        String timedOut = TestingPostgres.shared().createDatabase("timed_out");
        setForTheDatabase(timedOut, "statement_timeout = ''100ms''");
        Throwable canceled = catchThrowable(() -> jdbi(timedOut).withHandle(handle -> handle.createQuery("SELECT pg_sleep(5) FROM (VALUES ('query text')) t").mapTo(String.class).list()));
        assertThat(Failures.message(canceled))
                .startsWith("ERROR: canceling statement due to statement timeout. PostgreSQL canceled the statement: a statement_timeout set for icetune's database user")
                .endsWith("Raise it for that user: ALTER ROLE <icetune.db.user> SET statement_timeout = '30min'.")
                .doesNotContain("pg_sleep").doesNotContain("query text");
        // said once where a wrapper already says it
        assertThat(Failures.message(new IllegalStateException("recording them failed: " + Failures.message(canceled), canceled)))
                .containsOnlyOnce("Raise it for that user");

        String readOnly = TestingPostgres.shared().createDatabase("read_only");
        setForTheDatabase(readOnly, "default_transaction_read_only = on");
        Throwable refused = catchThrowable(() -> jdbi(readOnly).useHandle(handle -> handle.execute("CREATE TABLE recommendations_copy (id int)")));
        assertThat(Failures.message(refused))
                .isEqualTo("ERROR: cannot execute CREATE TABLE in a read-only transaction. The database takes no writes: icetune.db.url points at a standby, "
                        + "or default_transaction_read_only is on. Point it at the primary, or wait until the database takes writes.");
    }

    @Test
    void aRoleOutOfConnectionsSaysWhatToDo()
    {
        String url = TestingPostgres.shared().createDatabase("limited");
        // as a DBA limits the role icetune connects as; none left for it
        TestingPostgres.execute(url, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'limited_user') THEN CREATE ROLE limited_user LOGIN; END IF; END $$",
                "ALTER ROLE limited_user CONNECTION LIMIT 0");
        Throwable refused = catchThrowable(() -> Database.of(url, "limited_user", "icetune-test").jdbi().withHandle(handle -> handle.createQuery("SELECT 1").mapTo(int.class).one()));
        assertThat(Failures.message(refused))
                .contains("(icetune.db.url): FATAL: too many connections for role \"limited_user\". PostgreSQL has no connection left for icetune's database user "
                        + "(a CONNECTION LIMIT of the role) or for anyone (max_connections)")
                .endsWith("Raise the limit.");
    }

    /**
     * Met from outside: a database a DBA created for icetune, its user not the owner, on PostgreSQL 15: migrate printed Flyway's
     * report ("Failed to execute script", "SQL State : 42501", "Run Flyway with -X option ..."), not what to grant.
     */
    @Test
    void aUserThatMayNotCreateTheTablesIsToldWhatToGrant()
    {
        String url = TestingPostgres.shared().createDatabase("not_owned");
        TestingPostgres.execute(url, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'not_owner') THEN CREATE ROLE not_owner LOGIN; END IF; END $$");
        Throwable refused = catchThrowable(() -> Database.of(url, "not_owner", "icetune-test").migrate());
        assertThat(Failures.message(refused))
                .startsWith("cannot migrate the schema of " + url + ": ERROR: permission denied for schema public. icetune's database user lacks a privilege")
                .contains("GRANT CREATE ON SCHEMA public TO <icetune.db.user>")
                .doesNotContain("Flyway").doesNotContain("Position").doesNotContain("\n");

        TestingPostgres.execute(url, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO not_owner', current_database()); END $$");
        assertThat(Database.of(url, "not_owner", "icetune-test").migrate().version()).as("the advice, followed").isEqualTo(SchemaMigrator.CURRENT_VERSION);
    }

    /**
     * Met from outside: `bin/icetune migrate` run with a superuser's credentials (as a DBA runs what the listener asks for with
     * icetune.db.migrate=false), then icetune used as its own user: "permission denied for table icetune_schema_history", and the
     * advice to make the user the database's owner, which changes nothing for tables another user owns.
     */
    @Test
    void tablesAnotherUserMigratedAreSaidToBeTheirs()
    {
        String url = TestingPostgres.shared().createDatabase("migrated_by_another");
        Database.of(url, "postgres", "icetune-test").migrate(); // the superuser's migrate
        TestingPostgres.execute(url, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'not_owner') THEN CREATE ROLE not_owner LOGIN; END IF; END $$");
        Throwable refused = catchThrowable(() -> Database.of(url, "not_owner", "icetune-test").jdbi().withHandle(handle -> handle.createQuery("SELECT count(*) FROM query_logs").mapTo(long.class).one()));
        assertThat(Failures.message(refused)).startsWith("ERROR: permission denied for table query_logs. icetune's tables belong to another database user")
                .contains("ALTER TABLE <table> OWNER TO <icetune.db.user>").doesNotContain("OWNER TO <icetune.db.user>), or GRANT CREATE");
    }

    /**
     * A refused connection names the keys to change. Met from outside: a server asking for a password where none was given was said
     * with "(icetune.db.url)", the key that was right. And a server taking encrypted connections alone (as managed PostgreSQL
     * services are often set) refused with "no pg_hba.conf entry ..., no encryption" and "(icetune.db.url)", not what to add to it
     * (where to add it: after other parameters, `?` would make the URL wrong). A database not there (a fresh server) said
     * PostgreSQL's "does not exist" alone, not what creates it.
     */
    @Test
    void aRefusedConnectionNamesWhatToChange(@TempDir Path directory)
    {
        try (PostgresServer server = PostgresServer.start(directory.resolve("pg"))) {
            TestingPostgres.execute(server.url("postgres"), "CREATE ROLE with_password LOGIN PASSWORD 'Rot8-s3cret'");
            assertThat(Failures.message(catchThrowable(() -> Database.of(server.url("lake_icetune"), "with_password", "icetune-test").open().close())))
                    .contains("(icetune.db.url: its database is not there; create it as a superuser: CREATE DATABASE \"lake_icetune\" OWNER \"with_password\", "
                            + "or name one that is): FATAL: database \"lake_icetune\" does not exist");
            server.requirePasswords();
            assertThat(Failures.message(catchThrowable(() -> Database.of(server.url("postgres"), "with_password", "icetune-test").open().close())))
                    .contains("(icetune.db.user, icetune.db.password): ").contains("no password was provided").doesNotContain("Rot8");

            server.requireEncryption();
            assertThat(Failures.message(catchThrowable(() -> Database.of(server.url("postgres"), "with_password", "icetune-test").open().close())))
                    .contains("(icetune.db.url: the server takes encrypted connections only, add ?sslmode=require to it): ").contains("no encryption");
            // a URL with parameters already, and one that turns encryption off
            assertThat(Failures.message(catchThrowable(() -> Database.of(server.url("postgres") + "?connectTimeout=10", "with_password", "icetune-test").open().close())))
                    .contains("(icetune.db.url: the server takes encrypted connections only, add &sslmode=require to its parameters): ");
            assertThat(Failures.message(catchThrowable(() -> Database.of(server.url("postgres") + "?sslmode=disable", "with_password", "icetune-test").open().close())))
                    .contains("(icetune.db.url: the server takes encrypted connections only, set its sslmode=require): ");
        }
    }

    /** Met from outside: a host name that does not resolve said "The connection attempt failed." alone, for icetune's database and an Iceberg catalog's. */
    @Test
    void aHostNotKnownIsSaidSo()
    {
        // .invalid never resolves (RFC 2606)
        assertThat(Failures.message(catchThrowable(() -> Database.of("jdbc:postgresql://icetune-db.invalid:5432/icetune", "icetune", "icetune-test").open().close())))
                .isEqualTo("cannot connect to PostgreSQL at jdbc:postgresql://icetune-db.invalid:5432/icetune (icetune.db.url: unknown host icetune-db.invalid; "
                        + "check its name, or this host's DNS): The connection attempt failed.");
        // where another client (an Iceberg catalog's) quotes the URL: the cause said, not hidden as already said by the URL
        assertThat(Failures.message(new RuntimeException("Failed to connect: jdbc:postgresql://icetune-db.invalid:5432/iceberg_catalog",
                new java.sql.SQLException("The connection attempt failed.", new java.net.UnknownHostException("icetune-db.invalid")))))
                .isEqualTo("Failed to connect: jdbc:postgresql://icetune-db.invalid:5432/iceberg_catalog: The connection attempt failed. Unknown host icetune-db.invalid");
        // Trino's driver says it itself
        assertThat(Failures.message(new java.sql.SQLException("Error executing query: icetune-db.invalid: Name or service not known",
                new java.net.UnknownHostException("icetune-db.invalid: Name or service not known"))))
                .isEqualTo("Error executing query: icetune-db.invalid: Name or service not known");
    }

    private static void setForTheDatabase(String url, String setting)
    {
        TestingPostgres.execute(url, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET " + setting + "', current_database()); END $$");
    }

    private static Jdbi jdbi(String url)
    {
        return Database.of(url, "postgres", "icetune-test").jdbi();
    }
}
