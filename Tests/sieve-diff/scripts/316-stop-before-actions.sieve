stop;
discard;
