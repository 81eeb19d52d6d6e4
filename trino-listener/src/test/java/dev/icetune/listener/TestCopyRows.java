package dev.icetune.listener;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestCopyRows
{
    @Test
    void escapesTextForCopy()
    {
        CopyRows rows = new CopyRows().text("a\tb\nc\\d\re").text(null).number(42L).number(null).bool(true);
        rows.endRow();
        assertThat(rows.content()).isEqualTo("a\\tb\\nc\\\\d\\re\t\\N\t42\t\\N\tt\n");
    }

    @Test
    void writesTimestampsInUtcWithMicroseconds()
    {
        assertThat(one(new CopyRows().timestamp(Instant.parse("2024-01-05T09:03:07.123456789Z")))).isEqualTo("2024-01-05 09:03:07.123456+00");
        assertThat(one(new CopyRows().timestamp(Instant.parse("1999-12-31T23:59:59Z")))).isEqualTo("1999-12-31 23:59:59.000000+00");
        assertThat(one(new CopyRows().timestamp(Instant.EPOCH.minusSeconds(1)))).isEqualTo("1969-12-31 23:59:59.000000+00");
    }

    @Test
    void writesTextArrays()
    {
        assertThat(one(new CopyRows().array(Arrays.asList("ts_day: day", "a\"b", "c\\d", null)))).isEqualTo("{\"ts_day: day\",\"a\\\\\"b\",\"c\\\\\\\\d\",NULL}");
        assertThat(one(new CopyRows().array(List.of()))).isEqualTo("{}");
    }

    private static String one(CopyRows rows)
    {
        return rows.content();
    }
}
