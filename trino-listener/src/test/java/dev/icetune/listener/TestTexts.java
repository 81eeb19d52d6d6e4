package dev.icetune.listener;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestTexts
{
    @Test
    void cleanTextIsReturnedAsIs()
    {
        String text = "SELECT 1 -- ünïcödé \uD83D\uDE00";
        assertThat(Texts.clean(text, 1000)).isSameAs(text);
    }

    @Test
    void nulAndLoneSurrogatesAreReplaced()
    {
        assertThat(Texts.clean("a\u0000b\uD800c\uDC00d")).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd");
    }

    @Test
    void capNeverSplitsASurrogatePair()
    {
        assertThat(Texts.clean("ab\uD83D\uDE00", 3)).isEqualTo("ab");
        assertThat(Texts.clean("abcdef", 3)).isEqualTo("abc");
        assertThat(Texts.clean(null, 3)).isNull();
    }
}
