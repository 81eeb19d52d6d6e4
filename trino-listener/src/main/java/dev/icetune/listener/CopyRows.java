package dev.icetune.listener;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Builds rows in PostgreSQL's binary COPY format: a header, then per row a field count and each field as
 * length and bytes (-1 for NULL), then a trailer. Binary spares the server parsing numbers and timestamps
 * from text, which is most of its ingest work. The column type follows the Java type of the value:
 * Integer is int4, Long int8, Double float8, Instant timestamptz, String text, List of String text[];
 * the writer's column lists must match the schema's types exactly. Values reach here already cleaned of
 * NUL and lone surrogates ({@link Texts}).
 */
final class CopyRows
{
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final int TEXT_OID = 25;
    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in Unix seconds. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private static final VarHandle INT32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buffer;
    private int size;
    private int rowStart = -1;
    private short fields;
    private int rows;

    /** {@code expectedBytes}: a guess of the final size; a good one spares growing the buffer. */
    CopyRows(int expectedBytes)
    {
        buffer = new byte[Math.max(HEADER.length + 2, expectedBytes)];
        System.arraycopy(HEADER, 0, buffer, 0, HEADER.length);
        size = HEADER.length;
    }

    CopyRows text(String value)
    {
        if (value == null) {
            return nullValue();
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        field(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
        return this;
    }

    CopyRows number(Number value)
    {
        switch (value) {
            case null -> nullValue();
            case Integer integer -> {
                field(4);
                int32(integer);
            }
            case Long integer -> {
                field(8);
                int64(integer);
            }
            case Double real -> {
                field(8);
                int64(Double.doubleToRawLongBits(real));
            }
            default -> throw new IllegalArgumentException("no COPY type for " + value.getClass().getName());
        }
        return this;
    }

    CopyRows bool(Boolean value)
    {
        if (value == null) {
            return nullValue();
        }
        field(1);
        buffer[size++] = (byte) (value ? 1 : 0);
        return this;
    }

    CopyRows timestamp(Instant value)
    {
        if (value == null) {
            return nullValue();
        }
        field(8);
        int64((value.getEpochSecond() - POSTGRES_EPOCH_SECONDS) * 1_000_000 + value.getNano() / 1_000);
        return this;
    }

    /** A one-dimensional text[]; an empty list is the empty array. */
    CopyRows array(List<String> values)
    {
        if (values == null) {
            return nullValue();
        }
        byte[][] elements = new byte[values.size()][];
        int length = values.isEmpty() ? 12 : 20;
        boolean hasNull = false;
        for (int i = 0; i < elements.length; i++) {
            String element = values.get(i);
            elements[i] = element == null ? null : element.getBytes(StandardCharsets.UTF_8);
            hasNull |= element == null;
            length += 4 + (element == null ? 0 : elements[i].length);
        }
        field(length);
        int32(values.isEmpty() ? 0 : 1);
        int32(hasNull ? 1 : 0);
        int32(TEXT_OID);
        if (!values.isEmpty()) {
            int32(values.size());
            int32(1);
        }
        for (byte[] element : elements) {
            if (element == null) {
                int32(-1);
            }
            else {
                int32(element.length);
                System.arraycopy(element, 0, buffer, size, element.length);
                size += element.length;
            }
        }
        return this;
    }

    void endRow()
    {
        buffer[rowStart] = (byte) (fields >>> 8);
        buffer[rowStart + 1] = (byte) fields;
        rowStart = -1;
        rows++;
    }

    /**
     * The COPY data, header to trailer, in the buffer it was written to: a batch's parts run to megabytes, and a copy
     * to an exact-size array cost the capture stage more than any field it encodes. Empty when there are no rows.
     */
    Data data()
    {
        if (rows == 0) {
            return Data.EMPTY;
        }
        // ensure() always leaves room for the trailer
        buffer[size] = (byte) 0xFF;
        buffer[size + 1] = (byte) 0xFF;
        return new Data(buffer, size + 2);
    }

    /** Encoded COPY data: the first {@code length} bytes of {@code buffer}. */
    record Data(byte[] buffer, int length)
    {
        static final Data EMPTY = new Data(new byte[0], 0);

        boolean isEmpty()
        {
            return length == 0;
        }

        InputStream stream()
        {
            return new ByteArrayInputStream(buffer, 0, length);
        }

        byte[] toArray()
        {
            return Arrays.copyOf(buffer, length);
        }
    }

    private CopyRows nullValue()
    {
        field(-1);
        return this;
    }

    /** Starts a field: opens the row on its first field, then writes the field's length, with room made for its value. */
    private void field(int length)
    {
        ensure(6 + Math.max(0, length));
        if (rowStart < 0) {
            rowStart = size;
            size += 2;
            fields = 0;
        }
        fields++;
        int32(length);
    }

    /** Callers have made room with {@link #field}. */
    private void int32(int value)
    {
        INT32.set(buffer, size, value);
        size += 4;
    }

    private void int64(long value)
    {
        INT64.set(buffer, size, value);
        size += 8;
    }

    private void ensure(int more)
    {
        if (size + more + 2 > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more + 2));
        }
    }
}
