require ["variables", "include"];
set "global.i_am_on_vacation" "1";
