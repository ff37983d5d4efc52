require "reject";
reject "Nicht erwünscht";
