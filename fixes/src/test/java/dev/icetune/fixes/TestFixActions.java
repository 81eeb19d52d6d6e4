package dev.icetune.fixes;

import dev.icetune.engine.model.Advice;
import dev.icetune.engine.model.KillQueries;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fixes icetune never carries out: applying one says so, and what a person does instead. */
class TestFixActions
{
    /** Met from outside: applying an approved hung-queries recommendation said "queries for a person to end ...: [id]", not how. */
    @Test
    void hungQueriesAreEndedByAPersonWithTheStatementsGiven()
    {
        assertThatThrownBy(() -> new FixActions().plan(new KillQueries(List.of("20261206_092424_00065_i9vmi")), null))
                .hasMessage("icetune ends no query: a person ends them once they have looked at them. Look at them in the Trino UI (or system.runtime.queries); to end them:\n"
                        + "CALL system.runtime.kill_query(query_id => '20261206_092424_00065_i9vmi', message => 'icetune: running far past its pattern''s p95');");
    }

    @Test
    void adviceIsForAPerson()
    {
        assertThatThrownBy(() -> new FixActions().plan(new Advice("add workers"), null)).hasMessage("advice for a person, not a change icetune can make: add workers");
    }
}
