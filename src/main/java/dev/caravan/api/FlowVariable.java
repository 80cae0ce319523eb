package dev.caravan.api;

import org.apache.camel.Exchange;

/**
 * One exchange variable the flow's steps share: its name (what a route reads as
 * {@code ${variable.<name>}}), its type, and the step that writes it. Read through {@link #require}, a
 * variable whose step has not run (a route edited with its steps out of order) fails with a 500 that
 * names both steps, never with a NullPointerException further on. All of them: {@link FlowVariables}.
 *
 * @param writtenBy the step that sets it, as routes name it ({@code planner.plan})
 */
public record FlowVariable<T>(String name, Class<T> type, String writtenBy, String meaning) {

    /** The value, or null when it is not set (for variables a request may lack). */
    public T get(Exchange exchange) {
        Object value = exchange.getVariable(name);
        if (value == null) {
            return null;
        }
        if (!type.isInstance(value)) {
            throw wrongType(value);
        }
        return type.cast(value);
    }

    /**
     * The value, which {@code readBy} cannot do without.
     *
     * @throws GatewayException 500 {@code flow_step_missing} naming this variable, its writer and {@code readBy}
     */
    public T require(Exchange exchange, String readBy) {
        T value = get(exchange);
        if (value == null) {
            throw new GatewayException(500, "server_error", "flow_step_missing", null, "The step " + readBy
                    + " needs the variable '" + name + "', which " + writtenBy + " sets, and that step has not run "
                    + "before it: check the order of the steps in routes/*.camel.yaml (docs/routes.md).", null);
        }
        return value;
    }

    public void set(Exchange exchange, T value) {
        exchange.setVariable(name, value);
    }

    public void remove(Exchange exchange) {
        exchange.removeVariable(name);
    }

    private GatewayException wrongType(Object value) {
        return new GatewayException(500, "server_error", "flow_variable_invalid", null, "The variable '" + name
                + "' holds a " + value.getClass().getSimpleName() + " where " + writtenBy + " puts a "
                + type.getSimpleName() + ": a route step set it to something else (docs/routes.md).", null);
    }
}
