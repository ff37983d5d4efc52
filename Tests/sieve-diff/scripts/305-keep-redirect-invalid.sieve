redirect "not an address";
