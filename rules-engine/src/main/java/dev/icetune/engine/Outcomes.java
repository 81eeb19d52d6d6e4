package dev.icetune.engine;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** The outcome of work run on another thread, as if it had run on this one: its result, or what it threw. */
public final class Outcomes
{
    private Outcomes() {}

    /** {@code work}'s result once done; {@code doing} names it in a failure that is not a runtime exception or an error. */
    public static <T> T of(Future<T> work, String doing)
    {
        try {
            return work.get();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + doing, e);
        }
        catch (ExecutionException e) {
            switch (e.getCause()) {
                case RuntimeException cause -> throw cause;
                case Error cause -> throw cause;
                default -> throw new IllegalStateException(doing + " failed", e.getCause());
            }
        }
    }
}
