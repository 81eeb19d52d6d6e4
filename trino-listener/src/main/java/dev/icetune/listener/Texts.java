package dev.icetune.listener;

/** Makes any Java string storable in a PostgreSQL text column. */
final class Texts
{
    private static final char REPLACEMENT = '\uFFFD';

    private Texts() {}

    /**
     * Replaces what PostgreSQL rejects in text (NUL) and what UTF-8 cannot encode (lone surrogates)
     * with U+FFFD, and cuts at {@code maxLength} characters without splitting a surrogate pair.
     * Returns the input itself when it is already clean and short enough.
     */
    static String clean(String text, int maxLength)
    {
        if (text == null) {
            return null;
        }
        int end = Math.min(text.length(), maxLength);
        if (end < text.length() && end > 0 && Character.isHighSurrogate(text.charAt(end - 1)) && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        int firstBad = firstBadChar(text, end);
        if (firstBad == end) {
            return end == text.length() ? text : text.substring(0, end);
        }
        StringBuilder out = new StringBuilder(end);
        out.append(text, 0, firstBad);
        for (int i = firstBad; i < end; i++) {
            char c = text.charAt(i);
            if (c == 0) {
                out.append(REPLACEMENT);
            }
            else if (Character.isHighSurrogate(c)) {
                if (i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                    out.append(c).append(text.charAt(++i));
                }
                else {
                    out.append(REPLACEMENT);
                }
            }
            else if (Character.isLowSurrogate(c)) {
                out.append(REPLACEMENT);
            }
            else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String clean(String text)
    {
        return clean(text, Integer.MAX_VALUE);
    }

    private static int firstBadChar(String text, int end)
    {
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == 0 || Character.isLowSurrogate(c)) {
                return i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                }
                else {
                    return i;
                }
            }
        }
        return end;
    }
}
