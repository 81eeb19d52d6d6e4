package dev.icetune.cli;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The terminal shows results and progress: what a library logs on the way is shown when it is news. */
class TestLogging
{
    /**
     * Met from outside: `apply` on a table an application kept updating printed Iceberg's "[WARN] Tasks - Retrying task after failure"
     * with a stack trace of 30 lines for each retry of a commit that then succeeded.
     */
    @Test
    void icebergsRetriesOfACommitAreNotShownItsOtherWarningsAre()
    {
        assertThat(LoggerFactory.getLogger("org.apache.iceberg.util.Tasks").isWarnEnabled()).isFalse();
        assertThat(LoggerFactory.getLogger("org.apache.iceberg.util.Tasks").isErrorEnabled()).isTrue();
        assertThat(LoggerFactory.getLogger("org.apache.iceberg.BaseMetastoreCatalog").isWarnEnabled()).isTrue();
    }
}
