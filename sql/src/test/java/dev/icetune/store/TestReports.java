package dev.icetune.store;

import dev.icetune.testing.TestingPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TestReports
{
    @Test
    void theIndexNamesEveryReportAndEachRunsOnTheSchema()
            throws Exception
    {
        try (Stream<Path> files = Files.list(Path.of("reports"))) {
            assertThat(Reports.NAMES).containsExactlyInAnyOrderElementsOf(files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".sql")).map(name -> name.substring(0, name.length() - 4)).toList());
        }
        String url = TestingPostgres.shared().createDatabase("reports");
        TestSchemaMigration.database(url).migrate();
        for (String name : Reports.NAMES) {
            TestingPostgres.execute(url, Reports.sql(name).orElseThrow());
        }
        assertThat(Reports.sql("no-such-report")).isEmpty();
        assertThat(Reports.sql("../etc/passwd")).isEmpty();
    }
}
