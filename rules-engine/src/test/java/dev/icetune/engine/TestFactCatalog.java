package dev.icetune.engine;

import dev.icetune.engine.rules.FactCatalog;
import dev.icetune.engine.rules.FactCatalog.Member;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TestFactCatalog
{
    private static final Pattern FACT_IN_A_CONDITION = Pattern.compile(":\\s*(\\w+Fact)\\s*\\(");

    /** What `rules facts` lists is every fact the shipped rules match, with the fields and methods their conditions use. */
    @Test
    void listsEveryFactTheShippedRulesMatch()
            throws IOException
    {
        Set<String> matched = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("../rules"))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".drl")).toList()) {
                Matcher fact = FACT_IN_A_CONDITION.matcher(Files.readString(file));
                while (fact.find()) {
                    matched.add(fact.group(1));
                }
            }
        }
        assertThat(matched).hasSizeGreaterThan(4);
        assertThat(FactCatalog.facts()).extracting(FactCatalog.FactType::name).containsAll(matched);

        FactCatalog.FactType table = FactCatalog.facts().stream().filter(fact -> fact.name().equals("TableFact")).findFirst().orElseThrow();
        assertThat(table.scenarioKey()).isEqualTo("tables");
        assertThat(table.fields()).contains(new Member("dataFiles", "long", List.of()), new Member("sortFields", "List<String>", List.of()));
        assertThat(table.methods()).contains(new Member("hasColumn(String)", "boolean", List.of()), new Member("filesOverlapOn(String, double)", "boolean", List.of()));
        assertThat(table.methods()).extracting(Member::name).as("not its fields' accessors again, nor Object's").doesNotContain("dataFiles()", "toString()");
    }
}
