package dev.icetune.listener;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestEventQueue
{
    @Test
    void beyondItsCapacityAnEventIsDroppedAndCounted()
            throws Exception
    {
        EventQueue queue = new EventQueue(3);
        for (int i = 0; i < 5; i++) {
            queue.offer(i);
        }
        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.dropped()).isEqualTo(2);
        List<Object> taken = new ArrayList<>();
        assertThat(queue.drainTo(taken, 2)).isEqualTo(2);
        assertThat(queue.poll(0, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(taken).containsExactly(0, 1);
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.offer(5)).as("room again once taken").isTrue();
        assertThat(queue.capacity()).isEqualTo(3);
        assertThatThrownBy(() -> new EventQueue(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWaitingPollIsWokenByAnOfferAndEndsEmptyAtItsTimeout()
            throws Exception
    {
        EventQueue queue = new EventQueue(10);
        assertThat(queue.poll(50, TimeUnit.MILLISECONDS)).isNull();

        CompletableFuture<Object> polled = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.poll(60, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200); // the consumer is parked by now
        long offered = System.nanoTime();
        queue.offer("event");
        assertThat(polled.get(60, TimeUnit.SECONDS)).isEqualTo("event");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - offered)).as("woken by the offer, not by its 60 s timeout").isLessThan(30);
    }

    @Test
    void concurrentProducersLoseNothingBeyondWhatIsCountedAsDropped()
            throws Exception
    {
        int producers = 4;
        int each = 50_000;
        EventQueue queue = new EventQueue(1_000);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int producer = p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                }
                catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < each; i++) {
                    queue.offer(producer * each + i);
                }
            }));
        }
        AtomicBoolean producing = new AtomicBoolean(true);
        Set<Object> received = new HashSet<>();
        List<Object> batch = new ArrayList<>();
        start.countDown();
        Thread.ofPlatform().start(() -> {
            threads.forEach(thread -> {
                try {
                    thread.join();
                }
                catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            producing.set(false);
        });
        while (producing.get() || !queue.isEmpty()) {
            batch.clear();
            if (queue.drainTo(batch, 500) == 0) {
                Object one = queue.poll(10, TimeUnit.MILLISECONDS);
                if (one != null) {
                    batch.add(one);
                }
            }
            for (Object event : batch) {
                assertThat(received.add(event)).as("each event once").isTrue();
            }
        }
        assertThat(received.size() + queue.dropped()).isEqualTo((long) producers * each);
        assertThat(queue.size()).isZero();
    }
}
