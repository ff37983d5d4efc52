require ["variables"];
set "dollar" "$";
set "text" "regarding ${dollar}{beep}";
redirect "${text}@example.com";
