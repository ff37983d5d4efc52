require "vacation";
vacation :days 3 :subject "Away" :from "me@example.org" :addresses ["me2@example.org"] "Back Monday";
