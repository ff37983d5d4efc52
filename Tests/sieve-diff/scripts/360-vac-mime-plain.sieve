require "vacation";
vacation :mime "Content-Type: text/plain; charset=us-ascii\r\n\r\nAway.";
