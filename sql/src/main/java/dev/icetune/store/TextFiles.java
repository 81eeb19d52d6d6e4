package dev.icetune.store;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The files people edit (configuration, thresholds, rules), read as UTF-8 text, as their editors save it. */
public final class TextFiles
{
    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private TextFiles() {}

    /**
     * The text of {@code file}, without the byte order mark some editors put first (it would become part of the first key or
     * token, invisible in a terminal). A file that is not UTF-8 fails saying so, not with the decoder's "Input length = 1".
     */
    public static String read(Path file)
            throws IOException
    {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text: save it as UTF-8", e);
        }
        return withoutByteOrderMark(text);
    }

    /** {@code text} without the byte order mark a file's text may start with (standard input's, from a file). */
    public static String withoutByteOrderMark(String text)
    {
        return text.startsWith(BYTE_ORDER_MARK) ? text.substring(BYTE_ORDER_MARK.length()) : text;
    }
}
