keep :flags "X";
