package dev.icetune.listener;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.icetune.listener.QueryPatterns.executed;
import static dev.icetune.listener.QueryPatterns.normalize;
import static org.assertj.core.api.Assertions.assertThat;

class TestQueryPatterns
{
    @Test
    void literalsBecomePlaceholders()
    {
        assertThat(normalize("SELECT * FROM events WHERE user_id = 42 AND name = 'O''Brien' AND score > -1.5e3"))
                .isEqualTo("select * from events where user_id = ? and name = ? and score > ?");
        assertThat(normalize("SELECT * FROM events WHERE ts >= TIMESTAMP '2024-01-15 00:00:00' AND d = DATE '2024-01-15'"))
                .isEqualTo("select * from events where ts >= timestamp ? and d = date ?");
        assertThat(normalize("SELECT X'00ff', U&'\\0041'")).isEqualTo("select ?, ?");
        // met from outside: a sign spaced from its number kept its own token, making a pattern of its own
        assertThat(normalize("SELECT * FROM t WHERE a > - 3.5e-2 AND b IN (+ 1, -\n2) AND c - 1 > 0"))
                .isEqualTo(normalize("SELECT * FROM t WHERE a > -1 AND b IN (3, 4) AND c - 7 > 0"))
                .isEqualTo("select * from t where a > ? and b in (?) and c - ? > ?");
    }

    @Test
    void aTableReadAsItWasIsTold()
    {
        assertThat(readsAsOf("SELECT count(*) FROM events FOR VERSION AS OF 1280172385299219068 WHERE user_id = 3", "events")).isTrue();
        assertThat(readsAsOf("select * from iceberg.shop.events for  TIMESTAMP as of TIMESTAMP '2026-12-04 19:40:00 UTC'", "events")).isTrue();
        assertThat(readsAsOf("SELECT * FROM a FOR SYSTEM_TIME AS OF now() JOIN b FOR SYSTEM_VERSION AS OF 7 ON a.id = b.id", "a")).isTrue();
        assertThat(readsAsOf("SELECT * FROM a FOR SYSTEM_TIME AS OF now() JOIN b FOR SYSTEM_VERSION AS OF 7 ON a.id = b.id", "b")).isTrue();
        assertThat(readsAsOf("SELECT * FROM events WHERE note = 'for version as of 3'", "events")).as("in a literal").isFalse();
        assertThat(readsAsOf("SELECT as_of, version FROM events", "events")).isFalse();
    }

    @Test
    void aJoinOfATableAsItWasWithAnotherAsItIsMarksTheFirstAlone()
    {
        String join = "SELECT * FROM shop.events FOR VERSION AS OF 12 e JOIN shop.users u ON e.user_id = u.id";
        assertThat(readsAsOf(join, "events")).isTrue();
        assertThat(readsAsOf(join, "users")).isFalse();
        assertThat(readsAsOf("SELECT * FROM \"Café Orders\" FOR VERSION AS OF 3 JOIN users USING (id)", "café orders")).as("quoted, any case").isTrue();
        assertThat(readsAsOf("SELECT * FROM \"Café Orders\" FOR VERSION AS OF 3 JOIN users USING (id)", "users")).isFalse();
        assertThat(readsAsOf("SELECT * FROM \"say \"\"hi\"\"\" FOR VERSION AS OF 3 JOIN users USING (id)", "say \"hi\"")).as("quotes doubled inside").isTrue();
        assertThat(readsAsOf("SELECT * FROM events_v2 FOR VERSION AS OF 3 JOIN events USING (id)", "events")).as("another table's name ends the same").isFalse();
    }

    /** Met as a limit: two schemas' tables of one name, one read as it was, were both marked. */
    @Test
    void aQualifiedNameMarksItsOwnSchemasTableAlone()
    {
        String join = "SELECT * FROM iceberg.archive.events FOR VERSION AS OF 12 a JOIN shop.events e ON a.id = e.id";
        assertThat(QueryPatterns.readsAsOf(normalize(join), "iceberg", "archive", "events")).isTrue();
        assertThat(QueryPatterns.readsAsOf(normalize(join), "iceberg", "shop", "events")).isFalse();
        assertThat(QueryPatterns.readsAsOf(normalize(join), "other", "archive", "events")).as("another catalog's").isFalse();
        assertThat(QueryPatterns.readsAsOf(normalize("SELECT * FROM \"Arch.ive\".\"Events\" FOR VERSION AS OF 3"), "iceberg", "arch.ive", "events"))
                .as("quoted parts, a dot inside one").isTrue();
        assertThat(QueryPatterns.readsAsOf(normalize("SELECT * FROM events FOR VERSION AS OF 3 JOIN shop.users USING (id)"), "iceberg", "any", "events"))
                .as("unqualified: the session's schema, whichever it was").isTrue();
    }

    private static boolean readsAsOf(String query, String table)
    {
        return QueryPatterns.readsAsOf(normalize(query), "iceberg", "shop", table);
    }

    @Test
    void inListsOfAnyLengthCollapse()
    {
        assertThat(normalize("select 1 from t where id in (1, 2, 3)")).isEqualTo(normalize("SELECT 1 FROM t WHERE id IN (7)"))
                .isEqualTo("select ? from t where id in (?)");
        assertThat(normalize("select f(a, b) from t")).isEqualTo("select f(a, b) from t");
        assertThat(normalize("select * from t where contains(ARRAY[1, 2, 3], id)")).isEqualTo(normalize("select * from t where contains(array[4], id)"))
                .isEqualTo("select * from t where contains(array [ ? ], id)");
        assertThat(normalize("select a[1], m['k'] from t")).isEqualTo("select a [ ? ], m [ ? ] from t");
        assertThat(normalize("select f([1, 2)], x) from t")).isNotNull();
    }

    @Test
    void rowsOfLiteralsOfAnyNumberCollapse()
    {
        // a loader's batches of any size are one pattern
        assertThat(normalize("INSERT INTO t VALUES (1, 'a', TIMESTAMP '2026-11-01 10:00:00'), (2, 'b', TIMESTAMP '2026-11-02 10:00:00')"))
                .isEqualTo(normalize("insert into t values (3, 'c', timestamp '2026-11-03 10:00:00')"))
                .isEqualTo("insert into t values (?, ?, timestamp ?)");
        assertThat(normalize("insert into t values (1, 2), (3, 4), (5, 6)")).isEqualTo("insert into t values (?)");
        assertThat(normalize("MERGE INTO t USING (VALUES (2, 'bb'), (9, 'new')) s(id, nm) ON t.id = s.id WHEN MATCHED THEN DELETE"))
                .isEqualTo("merge into t using (values (?)) s(id, nm) on t.id = s.id when matched then delete");
        assertThat(normalize("select * from t where (a, b) in ((1, 2), (3, 4))")).isEqualTo(normalize("select * from t where (a, b) in ((5, 6))"))
                .isEqualTo("select * from t where (a, b) in ((?))");
        // NULL, TRUE and FALSE as values in a row are values like any literal, wherever a loader's rows have them
        assertThat(normalize("INSERT INTO t VALUES (1, NULL, true), (2, 'x', FALSE), (NULL, 'y', null)")).isEqualTo("insert into t values (?)");
        assertThat(normalize("select coalesce(a, null), cast(null as int), nullif(a, b) from t where b is null and c = true"))
                .isEqualTo("select coalesce(a, ?), cast(null as int), nullif(a, b) from t where b is null and c = true");
        assertThat(normalize("select f(fals, nul, truth) from t")).isEqualTo("select f(fals, nul, truth) from t");
        // rows that differ in more than their literals, and a call's arguments beside a row, stay apart
        assertThat(normalize("insert into t values (1, now()), (2, 'x')")).isEqualTo("insert into t values (?, now()),(?)");
        assertThat(normalize("select f(1), (2) from t")).isEqualTo("select f(?),(?) from t");
        assertThat(normalize("select (a), (a) from t")).isEqualTo("select (a),(a) from t");
    }

    @Test
    void commentsWhitespaceAndCaseDoNotMatterButQuotedIdentifiersDo()
    {
        assertThat(normalize("SELECT  count(*)\n  FROM t -- dashboard 7\n /* hint */ WHERE a=1;"))
                .isEqualTo("select count(*) from t where a = ?");
        assertThat(normalize("SELECT \"Mixed Case\" FROM t")).isEqualTo("select \"Mixed Case\" from t");
        assertThat(normalize("select date_format(ts, '%Y-%m-%d') = '2024-01-15' from events"))
                .isEqualTo("select date_format(ts, ?) = ? from events");
    }

    @Test
    void generatedTextNestedThousandsOfLevelsDeepKeepsItsShape()
    {
        int levels = 20_000;
        StringBuilder query = new StringBuilder("SELECT * FROM t WHERE ").append("(".repeat(levels)).append("x = 0");
        StringBuilder pattern = new StringBuilder("select * from t where ").append("(".repeat(levels)).append("x = ?");
        for (int i = 1; i <= levels; i++) {
            query.append(" OR (x = ").append(i).append("))");
            pattern.append(" or (x = ?))");
        }
        assertThat(normalize(query.toString())).isEqualTo(pattern.toString());
        assertThat(normalize("select * from t where x in " + "(".repeat(levels) + "1, 2" + ")".repeat(levels))).isEqualTo("select * from t where x in " + "(".repeat(levels - 1) + "(?)" + ")".repeat(levels - 1));
    }

    @Test
    void oddTextNeverFails()
    {
        assertThat(normalize("")).isEmpty();
        assertThat(normalize("SELECT 'unterminated")).isEqualTo("select ?");
        assertThat(normalize("/* open comment")).isEmpty();
        assertThat(normalize("\uFFFD\uFFFD ??? )))((( ,,, ;;")).isNotNull();
    }

    @Test
    void anExecutedStatementHasThePatternOfTheStatementItExecutes()
    {
        // EXECUTE IMMEDIATE, as the Trino JDBC driver and Python client send a query with parameters
        assertThat(normalize(executed("EXECUTE IMMEDIATE 'SELECT * FROM t WHERE id = ? AND note = ''x''' USING 7", Optional.empty())))
                .isEqualTo(normalize(executed("execute immediate 'select * from t where id = ? and note = ''y''' USING 8", Optional.empty())))
                .isEqualTo(normalize("SELECT * FROM t WHERE id = 9 AND note = 'z'"))
                .isEqualTo("select * from t where id = ? and note = ?");
        // EXECUTE of a prepared statement: the statement Trino prepared under that name
        assertThat(executed("EXECUTE statement1 USING 7", Optional.of("SELECT 1"))).isEqualTo("SELECT 1");
        // anything else, and a literal cut off with the text, is the query itself
        for (String query : List.of("SELECT 'EXECUTE IMMEDIATE ''x'''", "EXECUTE IMMEDIATE 'SELECT ''cut", "EXECUTE statement1 USING 7", "")) {
            assertThat(executed(query, Optional.empty())).as(query).isEqualTo(query);
        }
    }

    @Test
    void hashIsStableAndShort()
    {
        assertThat(QueryPatterns.hash("select ?")).hasSize(32).isEqualTo(QueryPatterns.hash("select ?")).isNotEqualTo(QueryPatterns.hash("select ? "));
    }
}
