// The return URL templates moved to the shared vocabulary; the callback route still imports them from here.
export * from "../shared/return-url"
