package io.goim.bench.capacity;

/** Rooms alike: how many, members of each, messages per second to each. */
public record RoomClass(String name, long rooms, long members, double msgsPerSec) {

    /** Room messages per second over all rooms of the class. */
    double messagesPerSec() {
        return rooms * msgsPerSec;
    }

    /** Deliveries per second over the cluster: every message to every member. */
    double deliveriesPerSec() {
        return rooms * members * msgsPerSec;
    }

    /**
     * Comets that hold at least one member of one room, members placed at random: a room of
     * 100 over 50 comets is on ~43 of them (what a room count per comet costs).
     */
    double cometsPerRoom(int comets) {
        return comets * (1 - Math.pow(1 - 1.0 / comets, members));
    }
}
