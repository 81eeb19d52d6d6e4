package dev.icetune.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads what the listener stored, waiting for it: the completed event arrives just after the client's result. */
public final class CapturedRows
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String url;

    public CapturedRows(String url)
    {
        this.url = url;
    }

    public List<Map<String, Object>> query(String sql, Object... parameters)
    {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet resultSet = statement.executeQuery()) {
                ResultSetMetaData metaData = resultSet.getMetaData();
                while (resultSet.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int column = 1; column <= metaData.getColumnCount(); column++) {
                        Object value = resultSet.getObject(column);
                        if (value instanceof java.sql.Array array) {
                            value = java.util.Arrays.asList((Object[]) array.getArray());
                        }
                        row.put(metaData.getColumnLabel(column), value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long count(String sql, Object... parameters)
    {
        return ((Number) query(sql, parameters).getFirst().values().iterator().next()).longValue();
    }

    /** Waits until {@code sql} returns at least {@code expected} rows, then returns them. */
    public List<Map<String, Object>> await(int expected, String sql, Object... parameters)
    {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<Map<String, Object>> rows;
            try {
                rows = query(sql, parameters);
            }
            catch (IllegalStateException e) {
                rows = List.of(); // schema not migrated yet
            }
            if (rows.size() >= expected) {
                return rows;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT + " for " + expected + " rows of " + sql + ", have " + rows.size());
            }
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    public Map<String, Object> awaitQuery(String queryId)
    {
        return await(1, "SELECT * FROM query_logs WHERE query_id = ?", queryId).getFirst();
    }

    public List<Map<String, Object>> inputs(String queryId)
    {
        return query("SELECT * FROM query_inputs WHERE query_id = ? ORDER BY input_index", queryId);
    }
}
