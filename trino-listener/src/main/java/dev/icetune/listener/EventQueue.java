package dev.icetune.listener;

import java.util.Collection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded hand-off between Trino's query threads and the capture thread. {@link #offer} never blocks:
 * when the queue is full the event is dropped and counted, so that capture can never slow a query.
 */
final class EventQueue
{
    private final BlockingQueue<Object> events;
    private final AtomicLong dropped = new AtomicLong();

    EventQueue(int capacity)
    {
        this.events = new ArrayBlockingQueue<>(capacity);
    }

    /** False (and counted) when full. */
    boolean offer(Object event)
    {
        if (events.offer(event)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    int drainTo(Collection<Object> into, int most)
    {
        return events.drainTo(into, most);
    }

    Object poll(long timeout, TimeUnit unit)
            throws InterruptedException
    {
        return events.poll(timeout, unit);
    }

    boolean isEmpty()
    {
        return events.isEmpty();
    }

    int size()
    {
        return events.size();
    }

    int capacity()
    {
        return events.size() + events.remainingCapacity();
    }

    /** Events dropped because the queue was full, since start. */
    long dropped()
    {
        return dropped.get();
    }
}
