package dev.stackshare.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import java.time.Instant;

/** The one Jackson mapper for snapshot records, view answers and error bodies. */
public final class Json {
    private static final ObjectMapper MAPPER = build();

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static String writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) throws ProtocolException {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new ProtocolException("expected a " + type.getSimpleName() + " record, got null");
            }
            return value;
        } catch (ProtocolException e) {
            throw e;
        } catch (java.io.IOException | RuntimeException e) {
            throw new ProtocolException("not a valid " + type.getSimpleName() + " record: " + e.getMessage(), e);
        }
    }

    private static ObjectMapper build() {
        SimpleModule module = new SimpleModule("stackshare");
        module.addSerializer(Digest.class, ToStringSerializer.instance);
        module.addDeserializer(Digest.class, new FromStringDeserializer<>(Digest.class) {
            private static final long serialVersionUID = 1L;

            @Override
            protected Digest _deserialize(String value, com.fasterxml.jackson.databind.DeserializationContext ctx) {
                return new Digest(value);
            }
        });
        module.addSerializer(Instant.class, ToStringSerializer.instance);
        module.addDeserializer(Instant.class, new FromStringDeserializer<>(Instant.class) {
            private static final long serialVersionUID = 1L;

            @Override
            protected Instant _deserialize(String value, com.fasterxml.jackson.databind.DeserializationContext ctx) {
                return Instant.parse(value);
            }
        });
        return new ObjectMapper()
                .registerModule(module)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
