require "reject";
if true { reject "x"; stop; }
keep;
