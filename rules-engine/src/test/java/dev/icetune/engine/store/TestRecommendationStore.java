package dev.icetune.engine.store;

import dev.icetune.engine.model.Advice;
import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Severity;
import dev.icetune.engine.model.TargetType;
import dev.icetune.store.Database;
import dev.icetune.testing.TestingPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestRecommendationStore
{
    /** Text written by people and queries, with every character CSV and array literals treat specially, is recorded as it was. */
    @Test
    void oddTextIsRecordedAsItWas()
    {
        String odd = "a,\"b\"\n\\c\t{d}, 'e' \r\n NULL";
        String url = TestingPostgres.shared().createDatabase("store_odd_text");
        Database.of(url, "postgres", "icetune-test").migrate();
        RecommendationStore store = new RecommendationStore(Jdbi.create(url, "postgres", ""));
        Recommendation fired = new Recommendation("slow-pattern", TargetType.PATTERN, "target " + odd, Severity.HIGH, Level.L3,
                Map.of("sample_query", "SELECT " + odd, "empty", ""), "why " + odd, new Advice("advice " + odd))
                .on("cluster " + odd);
        Recommendation sameKey = new Recommendation("slow-pattern", TargetType.PATTERN, "target " + odd, Severity.LOW, Level.L3,
                Map.of(), "the second of one key", new Advice("ignored")).on("cluster " + odd);

        assertThat(store.record(List.of(fired, sameKey), Instant.now(), 3).opened()).isEqualTo(1);

        RecommendationStore.Stored stored = store.list(Optional.empty()).getFirst();
        assertThat(stored.target()).isEqualTo(fired.target());
        assertThat(stored.explanation()).isEqualTo(fired.explanation());
        assertThat(stored.proposedFix()).isEqualTo(fired.proposedFix());
        assertThat(stored.fix()).isEqualTo(fired.fix());
        assertThat(stored.evidence()).isEqualTo(fired.evidence());
        assertThat(stored.cluster()).isEqualTo(fired.cluster());
        assertThat(stored.clusters()).isEqualTo(fired.clusters());
        assertThat(stored.severity()).as("the first of one dedupe key").isEqualTo(Severity.HIGH);
    }
}
