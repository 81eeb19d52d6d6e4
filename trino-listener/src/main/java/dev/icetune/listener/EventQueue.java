package dev.icetune.listener;

import java.util.Collection;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded hand-off between Trino's query threads and the capture thread. {@link #offer} never blocks:
 * when the queue is full the event is dropped and counted, so that capture can never slow a query. Nor does it
 * wait for a lock the capture thread holds: the queue is lock-free (a blocking queue's one lock is held by the
 * capture thread while it drains a batch of thousands, and when that thread is descheduled meanwhile, a query
 * thread offering an event waited for it: the benchmark's p99.9 inside queryCompleted() read 59-124 us in some runs).
 * One consumer: the capture thread.
 */
final class EventQueue
{
    private final Queue<Object> events = new ConcurrentLinkedQueue<>();
    /** Events offered and not yet taken; counted before the event is queued, so that the capacity is never exceeded. */
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final AtomicLong dropped = new AtomicLong();
    /** The consumer while it waits in {@link #poll}: an offer wakes it. */
    private volatile Thread waiting;

    EventQueue(int capacity)
    {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /** False (and counted) when full. */
    boolean offer(Object event)
    {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        events.offer(event);
        // read after the event is queued; the consumer polls again after it says it waits: one of the two sees the other
        Thread consumer = waiting;
        if (consumer != null) {
            LockSupport.unpark(consumer);
        }
        return true;
    }

    int drainTo(Collection<Object> into, int most)
    {
        int taken = 0;
        for (Object event; taken < most && (event = events.poll()) != null; taken++) {
            into.add(event);
        }
        size.addAndGet(-taken);
        return taken;
    }

    /** The next event, waiting up to the timeout for one; null when none came. */
    Object poll(long timeout, TimeUnit unit)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        Object event = events.poll();
        if (event == null) {
            waiting = Thread.currentThread();
            try {
                while ((event = events.poll()) == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    LockSupport.parkNanos(this, left);
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
            }
            finally {
                waiting = null;
            }
        }
        size.decrementAndGet();
        return event;
    }

    boolean isEmpty()
    {
        return events.isEmpty();
    }

    int size()
    {
        return size.get();
    }

    int capacity()
    {
        return capacity;
    }

    /** Events dropped because the queue was full, since start. */
    long dropped()
    {
        return dropped.get();
    }
}
