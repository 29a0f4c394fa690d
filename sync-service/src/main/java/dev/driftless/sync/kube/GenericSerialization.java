package dev.driftless.sync.kube;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * How sync-service's Kubernetes clients read a watch event: its object as a {@link GenericKubernetesResource}, or a
 * {@link Status} when it is one.
 *
 * <p>fabric8 reads each watch event's object as the model class registered for its kind, then converts it to the
 * informer's type. sync-service's drift watch holds generic resources (only its namespace watch is typed, and a
 * namespace's event is now converted to one instead), so every event of a Deployment was read as a typed Deployment
 * and converted again: twice the work for each event, and some 400 model classes loaded the first time,
 * while the first push after start was being applied. A {@link Status} stays one: a watch's {@code ERROR} event carries
 * it, and fabric8 tells an expired resource version (list again) from other errors by its class. Everything else about
 * the clients' serialization stays as Quarkus sets it (the model classes still name each kind's resource, so an apply
 * needs no discovery request).
 */
@Singleton
public class GenericSerialization implements KubernetesClientObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.addMixIn(WatchEvent.class, GenericWatchEvent.class);
    }

    /** Mixed into {@link WatchEvent}: its object is read by {@link WatchedObject}. */
    abstract static class GenericWatchEvent {
        @JsonProperty("object")
        @JsonDeserialize(using = WatchedObject.class)
        private Object object;

        @JsonProperty("object")
        @JsonDeserialize(using = WatchedObject.class)
        abstract void setObject(Object object);
    }

    /** Reads a watched object as a {@link Status} when its kind says so, else as a generic resource. */
    static final class WatchedObject extends JsonDeserializer<Object> {
        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            ObjectNode node = parser.readValueAsTree();
            Class<?> as = "Status".equals(node.path("kind").asText()) ? Status.class : GenericKubernetesResource.class;
            return parser.getCodec().treeToValue(node, as);
        }
    }
}
