package dev.driftless.devstack.arch.domain;

import org.apache.kafka.clients.producer.ProducerRecord;

/** A domain class that wrongly builds a Kafka record: the architecture rule must refuse it. */
public final class Leaky {
    public Object leak() {
        return new ProducerRecord<>("topic", "value");
    }
}
