package dev.icetune.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestFailures
{
    @Test
    void anErrorSaysWhatEachCauseAddsWithoutClassNames()
    {
        RuntimeException wrapped = new RuntimeException(new java.sql.SQLException("Connection to 127.0.0.1:5432 refused.", new java.net.ConnectException("Connection refused")));
        assertThat(Failures.message(wrapped)).isEqualTo("Connection to 127.0.0.1:5432 refused. Connection refused");
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
}
